/*
 * bench/hello/hello.c — the HTTP layer alone: civetweb (the same library and options as the
 * server: worker threads, keep-alive, tcp_nodelay) answering every request with a fixed small
 * JSON document in one write. What it sustains is the ceiling for any endpoint of the server on
 * this machine; bench/run reports each endpoint against it.
 *
 *   LISTEN=127.0.0.1:8081 HTTP_THREADS=16 hello
 *
 * Two knobs reproduce what issue 7 warns about: HELLO_WRITES=2 sends the headers and the body in
 * two writes (as the server's response_send does: mg_response_header_send, then mg_write), and
 * TCP_NODELAY=0 turns civetweb's tcp_nodelay off; together they meet Nagle's algorithm and the
 * client's delayed ACK (docs/performance.md).
 */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static const char BODY[] = "{\"status\":\"ok\",\"service\":\"hello\"}";
static int two_writes;

static int answer(struct mg_connection *conn, void *unused)
{
    (void)unused;
    char out[512];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "Cache-Control: no-store\r\n"
                     "\r\n%s",
                     sizeof BODY - 1, two_writes ? "" : BODY);
    mg_write(conn, out, (size_t)n);
    if (two_writes)
        mg_write(conn, BODY, sizeof BODY - 1);
    return 200;
}

int main(void)
{
    const char *listen = getenv("LISTEN") ? getenv("LISTEN") : "127.0.0.1:8081";
    const char *threads = getenv("HTTP_THREADS") ? getenv("HTTP_THREADS") : "16";
    const char *nodelay = getenv("TCP_NODELAY") && strcmp(getenv("TCP_NODELAY"), "0") == 0 ? "0" : "1";
    two_writes = getenv("HELLO_WRITES") && strcmp(getenv("HELLO_WRITES"), "2") == 0;
    const char *options[] = {
        "listening_ports", listen,
        "num_threads", threads,
        "tcp_nodelay", nodelay,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "15000",
        "request_timeout_ms", "30000",
        NULL,
    };
    struct mg_callbacks callbacks = {0};
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    mg_init_library(0);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) {
        fprintf(stderr, "hello: cannot listen on %s\n", listen);
        return 1;
    }
    mg_set_request_handler(ctx, "/", answer, NULL);
    while (!stopping)
        pause();
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}

/*
 * util/subprocess.c — running a filter program with limits (see subprocess.h).
 */
#define _GNU_SOURCE /* pipe2 */
#include "util/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

subprocess_result subprocess_filter(const char *const *argv, const char *const *envp, const char *input,
                                    size_t input_len, buf *out, long timeout_ms, size_t max_out)
{
    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
    subprocess_result result = SUBPROCESS_FAILED;
    pid_t pid = -1;
    posix_spawn_file_actions_t actions;
    bool have_actions = false;

    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0)
        goto out;
    if (posix_spawn_file_actions_init(&actions) != 0)
        goto out;
    have_actions = true;
    /* dup2 clears close-on-exec on the copies: the child keeps exactly stdin and stdout. */
    if (posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO) != 0 ||
        posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO) != 0 ||
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0) != 0)
        goto out;
    if (posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, (char *const *)envp) != 0) {
        pid = -1;
        goto out;
    }
    close_fd(&in_pipe[0]);
    close_fd(&out_pipe[1]);
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);

    long deadline = now_ms() + timeout_ms;
    size_t written = 0;
    if (input_len == 0)
        close_fd(&in_pipe[1]);
    char chunk[65536];
    result = SUBPROCESS_OK;
    while (out_pipe[0] >= 0) {
        long left = deadline - now_ms();
        if (left <= 0) {
            result = SUBPROCESS_TIMEOUT;
            break;
        }
        struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_pipe[1], POLLOUT, 0}};
        int n = poll(fds, in_pipe[1] >= 0 ? 2 : 1, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno != EINTR) {
            result = SUBPROCESS_FAILED;
            break;
        }
        if (n <= 0)
            continue;
        if (in_pipe[1] >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(in_pipe[1], input + written, input_len - written);
            if (w > 0)
                written += (size_t)w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input_len)
                close_fd(&in_pipe[1]); /* a child that stopped reading (EPIPE) still gets its EOF */
        }
        if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
            ssize_t r = read(out_pipe[0], chunk, sizeof chunk);
            if (r > 0) {
                buf_append(out, chunk, (size_t)r);
                if (out->len > max_out) {
                    result = SUBPROCESS_TOO_LARGE;
                    break;
                }
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                close_fd(&out_pipe[0]); /* end of its output */
            }
        }
    }

out:
    close_fd(&in_pipe[0]);
    close_fd(&in_pipe[1]);
    close_fd(&out_pipe[0]);
    close_fd(&out_pipe[1]);
    if (have_actions)
        posix_spawn_file_actions_destroy(&actions);
    if (pid > 0) {
        int status = 0;
        if (result != SUBPROCESS_OK)
            kill(pid, SIGKILL);
        /* Its output ended: it exits now (a child that closed stdout but runs on is killed when
         * the time is up). */
        while (result == SUBPROCESS_OK) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR) {
                result = SUBPROCESS_FAILED;
                break;
            }
            if (now_ms() >= deadline) {
                kill(pid, SIGKILL);
                result = SUBPROCESS_TIMEOUT;
                break;
            }
            struct timespec pause = {0, 10 * 1000000L};
            nanosleep(&pause, NULL);
        }
        if (result != SUBPROCESS_OK) {
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            result = SUBPROCESS_FAILED;
        }
    }
    return result;
}

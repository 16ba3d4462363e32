-- bench/wrk/lib.lua — shared by the load scripts: auth header, request lists, the report line.
--
-- Environment (set by bench/run):
--   TOKEN       bearer token of the account the endpoint is measured as (empty: no header)
--   REQUESTS    file of requests, one a line: "METHOD PATH" or "METHOD PATH BODY" (BODY is JSON,
--               sent as application/json); each thread cycles through them from its own offset
local M = {}

function M.load_requests()
    local path = os.getenv("REQUESTS") or error("REQUESTS is not set")
    local list = {}
    for line in io.lines(path) do
        local method, target, body = line:match("^(%u+) (%S+) ?(.*)$")
        if method then
            list[#list + 1] = { method = method, path = target, body = body ~= "" and body or nil }
        end
    end
    assert(#list > 0, "no requests in " .. path)
    return list
end

function M.headers(has_body)
    local h = {}
    local token = os.getenv("TOKEN")
    if token and token ~= "" then
        h["Authorization"] = "Bearer " .. token
    end
    if has_body then
        h["Content-Type"] = "application/json"
    end
    return h
end

-- One line bench/run parses: counts, rate and latency percentiles (ms) and every error kind
-- (status: answers other than 2xx/3xx).
function M.report(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
        "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        e.connect, e.read, e.write, e.status, e.timeout))
end

return M

-- bench/wrk/requests.lua — the one load script: replays the REQUESTS file (see lib.lua) with the
-- TOKEN's Authorization header, each thread from its own offset, and prints bench/run's report
-- line. Every endpoint of bench/run is this script with another request file and token.
local lib = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/lib.lua")

local counter = 0
local threads = {}

function setup(thread)
    counter = counter + 1
    thread:set("offset", counter)
    table.insert(threads, thread)
end

local list, i, plain, json

function init(args)
    list = lib.load_requests()
    i = (tonumber(offset) or 0) * 7919
    plain = lib.headers(false)
    json = lib.headers(true)
end

function request()
    i = i + 1
    local r = list[(i % #list) + 1]
    return wrk.format(r.method, r.path, r.body and json or plain, r.body)
end

done = lib.report

-- One benchmark cell for wrk (https://github.com/wg/wrk), driven by bench/run.py.
--
-- The cell's settings come from the Lua file named by $BENCH_CELL, which returns a table:
--   method       "GET" | "POST" | "PUT" | "PATCH"
--   path         fixed request path (with query string), or
--   path_prefix, path_suffix, ids_file
--                the path is prefix .. id .. suffix, ids taken in turn from ids_file (one a line)
--   path_score   optional: this marker in path becomes a random score in 0..1,000,000 each request
--   body         optional body; "%d" in it becomes a random score in 0..1,000,000
--   headers      table of request headers (auth, content type)
--   seed         random seed, so every system gets the same sequence of ids and scores
--   result       where done() writes the summary as JSON
-- The file is loaded in every Lua state wrk makes (the main one, which runs done(), and one per thread).

local cfg = dofile(os.getenv("BENCH_CELL"))

local ids = {}
local n_ids = 0
local counter = 0

function init(args)
  if cfg.ids_file then
    for line in io.lines(cfg.ids_file) do
      if #line > 0 then
        n_ids = n_ids + 1
        ids[n_ids] = line
      end
    end
    assert(n_ids > 0, "no ids in " .. cfg.ids_file)
  end
  math.randomseed(cfg.seed)
  counter = 0
  for name, value in pairs(cfg.headers) do
    wrk.headers[name] = value
  end
end

function request()
  local path = cfg.path
  if n_ids > 0 then
    counter = counter + 1
    path = cfg.path_prefix .. ids[(counter % n_ids) + 1] .. cfg.path_suffix
  elseif cfg.path_score then
    path = (path:gsub(cfg.path_score, tostring(math.random(0, 1000000))))
  end
  local body = nil
  if cfg.body then
    body = string.format(cfg.body, math.random(0, 1000000))
  end
  return wrk.format(cfg.method, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local json = string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max)
  local f = assert(io.open(cfg.result, "w"))
  f:write(json, "\n")
  f:close()
  io.write(json, "\n")
end

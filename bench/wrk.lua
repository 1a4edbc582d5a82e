-- wrk script for `python -m bench`: cycles through the paths in the file named by the first
-- script argument and prints one JSON line with the figures the benchmark needs (p95 included).
local paths = {}
local idx = 0

init = function(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then table.insert(paths, line) end
  end
  f:close()
  idx = math.random(#paths)
end

request = function()
  idx = idx % #paths + 1
  return wrk.format("GET", paths[idx])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end

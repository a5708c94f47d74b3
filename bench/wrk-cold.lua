-- bench/cold-start.sh's per-second line, in microseconds: "cold p99 p99.9 max".
done = function(summary, latency, requests)
  io.write(string.format("cold %d %d %d\n", latency:percentile(99), latency:percentile(99.9), latency.max))
end

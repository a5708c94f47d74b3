-- Prints the tail wrk's --latency table leaves out, in microseconds: "tail p99.9 max".
done = function(summary, latency, requests)
  io.write(string.format("tail %d %d\n", latency:percentile(99.9), latency.max))
end

package io.edgeway.dataplane.l4;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;

/**
 * One stream route's metric children, resolved once when the route is compiled: a connection or a datagram
 * costs a few adder increments and no label lookup. Bytes are counted per read, not per connection end, so a
 * long-lived connection shows its traffic while it runs.
 */
record StreamMeter(CounterDataPoint connections, GaugeDataPoint active, CounterDataPoint bytesIn,
                   CounterDataPoint bytesOut, CounterDataPoint udpEvicted) {}

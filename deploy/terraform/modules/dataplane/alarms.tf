# Alarms an instance refresh watches (instance-refresh.sh, from the refresh_env output): either one in ALARM
# during a rollout rolls it back to the previous launch template version.

locals {
  refresh_alarm_names = concat(
    [aws_cloudwatch_metric_alarm.errors.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.unhealthy : a.alarm_name],
  )
}

# Readiness: targets failing /readyz. New instances are "initial", not unhealthy, until their first checks
# pass, and draining ones are not counted, so a healthy rollout keeps this at 0.
resource "aws_cloudwatch_metric_alarm" "unhealthy" {
  for_each            = local.listeners
  alarm_name          = "${var.name}-${each.key}-unhealthy-hosts"
  alarm_description   = "Edgeway proxies failing /readyz behind the ${each.key} listener"
  namespace           = "AWS/NetworkELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.proxy[each.key].arn_suffix
  }
}

# The NLB passes TCP through, so it has no HTTP status metrics: the 5xx share comes from the proxies' own
# edgeway_requests_total{status_class} counter, scraped from the status port by the CloudWatch agent baked into
# the AMI and published (EMF, per fleet and status class) to the namespace below.
resource "aws_cloudwatch_log_group" "metrics" {
  name              = local.metrics_log_group
  retention_in_days = 7
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${var.name}-5xx-ratio"
  alarm_description   = "Share of 5xx responses across the Edgeway proxies above ${var.error_rate_alarm_threshold}"
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = var.error_rate_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "ratio"
    label       = "5xx share"
    return_data = true
    # Below 10 requests a minute a single error is noise, not a failed release.
    expression = "IF(total > 10, errors / total, 0)"
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "edgeway_requests_total"
      dimensions  = { fleet = var.name, status_class = "5xx" }
      stat        = "Sum"
      period      = 60
    }
  }
  metric_query {
    id = "total"
    metric {
      namespace   = local.metrics_namespace
      metric_name = "edgeway_requests_total"
      dimensions  = { fleet = var.name }
      stat        = "Sum"
      period      = 60
    }
  }
}

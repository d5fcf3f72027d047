# Orders service (Terraform): fulfils orders from a queue and projects them from a table stream.
# The same mistakes as the SAM example: a work queue without a dead-letter queue and a stream
# consumer that retries a failing batch without limit.

variable "lambda_role_arn" {
  type = string
}

resource "aws_dynamodb_table" "orders" {
  name             = "orders"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_lambda_function" "fulfilment" {
  function_name = "orders-fulfilment"
  filename      = "build/fulfil-order.zip"
  handler       = "handlers/fulfil-order.handler"
  runtime       = "nodejs20.x"
  role          = var.lambda_role_arn
  timeout       = 30
}

resource "aws_lambda_function" "projection" {
  function_name = "orders-projection"
  filename      = "build/project-order.zip"
  handler       = "handlers/project-order.handler"
  runtime       = "nodejs20.x"
  role          = var.lambda_role_arn
  timeout       = 10
}

# No dead-letter queue: a poison order is retried until retention expires, then lost.
resource "aws_sqs_queue" "fulfilment" {
  name                       = "orders-fulfilment"
  visibility_timeout_seconds = 180
}

resource "aws_sqs_queue" "notifications" {
  name = "orders-notifications"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.notifications_dead_letters.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "notifications_dead_letters" {
  name                      = "orders-notifications-dead-letters"
  message_retention_seconds = 1209600
}

resource "aws_lambda_event_source_mapping" "fulfilment" {
  event_source_arn = aws_sqs_queue.fulfilment.arn
  function_name    = aws_lambda_function.fulfilment.arn
  batch_size       = 10
}

# No retry limit and no on-failure destination: one bad record blocks its shard.
resource "aws_lambda_event_source_mapping" "projection" {
  event_source_arn  = aws_dynamodb_table.orders.stream_arn
  function_name     = aws_lambda_function.projection.arn
  starting_position = "LATEST"
  batch_size        = 100
}

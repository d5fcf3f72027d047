import * as path from 'node:path';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

const handlers = path.join(__dirname, '..', 'src', 'handlers');

/**
 * An orders service: an API takes orders, a queue feeds fulfilment, the orders table's stream
 * feeds a read model, a topic notifies customers, a nightly rule reconciles, and a workflow
 * reserves stock. Each REL 4 mistake rel4lint checks in infrastructure is made once.
 */
export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const failures = new sqs.Queue(this, 'FailedEvents', { retentionPeriod: Duration.days(14) });

    // Orders arrive through a REST API: API Gateway gives up after 29 s, the function runs up to 2 minutes
    const createOrder = new NodejsFunction(this, 'CreateOrder', {
      entry: path.join(handlers, 'create-order.ts'),
      timeout: Duration.minutes(2),
    });
    new apigateway.LambdaRestApi(this, 'Api', { handler: createOrder });

    // Fulfilment: a queue without a dead-letter queue, consumed by a function that takes longer than
    // the queue's 30 s visibility timeout, fails whole batches and scales without a cap
    const fulfilmentQueue = new sqs.Queue(this, 'FulfilmentQueue');
    const fulfilOrder = new NodejsFunction(this, 'FulfilOrder', {
      entry: path.join(handlers, 'fulfil-order.ts'),
      timeout: Duration.seconds(60),
    });
    fulfilOrder.addEventSource(new sources.SqsEventSource(fulfilmentQueue));
    createOrder.addEnvironment('FULFILMENT_QUEUE_URL', fulfilmentQueue.queueUrl);

    // The read model: the table's stream retries a failing record until it expires
    const orders = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    const projectOrder = new lambda.Function(this, 'ProjectOrder', {
      runtime: lambda.Runtime.NODEJS_20_X,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'src', 'handlers')),
      handler: 'project-order.handler',
    });
    projectOrder.addEventSource(
      new sources.DynamoEventSource(orders, { startingPosition: lambda.StartingPosition.LATEST, reportBatchItemFailures: true }),
    );

    // Customer notifications: SNS retries a failed delivery, then drops it; the function it invokes
    // asynchronously keeps no failed event either
    const shipments = new sns.Topic(this, 'Shipments');
    const notifyCustomer = new NodejsFunction(this, 'NotifyCustomer', { entry: path.join(handlers, 'notify-customer.ts') });
    shipments.addSubscription(new subscriptions.LambdaSubscription(notifyCustomer));

    // Nightly reconciliation at 02:00 sharp, with every other job scheduled on the hour
    const reconcile = new NodejsFunction(this, 'Reconcile', {
      entry: path.join(handlers, 'reconcile.ts'),
      onFailure: new destinations.SqsDestination(failures),
    });
    new events.Rule(this, 'Nightly', {
      schedule: events.Schedule.cron({ minute: '0', hour: '2' }),
      targets: [new targets.LambdaFunction(reconcile)],
    });

    // Stock reservation: a workflow that retries a busy warehouse fifty times at a steady pace, and
    // waits for a warehouse callback without a heartbeat
    const reserveStock = new NodejsFunction(this, 'ReserveStock', { entry: path.join(handlers, 'reserve-stock.ts') });
    const reserve = new tasks.LambdaInvoke(this, 'Reserve', {
      lambdaFunction: reserveStock,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
    reserve.addRetry({ errors: ['WarehouseBusy'], maxAttempts: 50, interval: Duration.seconds(2), maxDelay: Duration.seconds(30) });
    const confirm = new tasks.SqsSendMessage(this, 'AwaitWarehouse', {
      queue: new sqs.Queue(this, 'WarehouseRequests', { deadLetterQueue: { queue: failures, maxReceiveCount: 5 } }),
      messageBody: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    });
    new sfn.StateMachine(this, 'Fulfilment', {
      definitionBody: sfn.DefinitionBody.fromChainable(reserve.next(confirm)),
    });
  }
}

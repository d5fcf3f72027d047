import type { IacReport, IacDetector } from '../rule.js';
import { displayName, eventSourceMappings, getIn, hasOpaqueProperties, isAbsent, isPlainObject, resourceLookup, type LocatedResource } from '../../iac/resources.js';
import { isFunction } from '../../iac/lambda.js';
import type { IacValue } from '../../iac/model.js';

function isFifoQueue(source: IacValue | undefined, located: LocatedResource | undefined): boolean {
  if (located) {
    const queue = located.resource;
    const fifo = queue.properties['FifoQueue'];
    const name = queue.properties['QueueName'];
    return fifo === true || fifo === 'true' || (typeof name === 'string' && name.endsWith('.fifo'));
  }
  return typeof source === 'string' && source.endsWith('.fifo');
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    // the queue, the function and the mapping may be declared in different files of a Terraform module
    const lookup = resourceLookup(templates);
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        if (mapping.kind !== 'sqs') continue;
        const scaling = mapping.properties['ScalingConfig'];
        if (!isAbsent(scaling) && !(isPlainObject(scaling) && isAbsent(scaling['MaximumConcurrency']))) continue;
        // Provisioned mode caps the pollers (MaximumPollers) instead.
        if (!isAbsent(mapping.properties['ProvisionedPollerConfig'])) continue;
        // A FIFO queue's active message groups bound the concurrency.
        if (isFifoQueue(mapping.source, lookup(template, mapping.sourceId ?? mapping.referenced.source))) continue;
        // Only a function of this template (or of its Terraform module) can be known to have no reserved concurrency.
        const target = lookup(template, mapping.functionId ?? mapping.referenced.function);
        const fn = target?.resource;
        if (!target || !isFunction(fn) || hasOpaqueProperties(target.template, fn)) continue;
        if (!isAbsent(getIn(fn.properties, ['ReservedConcurrentExecutions']))) continue;
        // Lambda Managed Instances: the capacity provider bounds the concurrency.
        if (!isAbsent(fn.properties['CapacityProviderConfig'])) continue;
        const where = mapping.origin === 'sam-event' ? mapping.label : `${mapping.label} of function \`${displayName(fn)}\``;
        reports.push({
          template,
          path: [...mapping.propertiesPath, 'ScalingConfig', 'MaximumConcurrency'],
          message: `SQS ${where} has no ScalingConfig.MaximumConcurrency and the function has no reserved concurrency: a queue backlog scales the consumer up to a burst against everything it calls`,
        });
      }
    }
    return reports;
  },
};

export default detector;

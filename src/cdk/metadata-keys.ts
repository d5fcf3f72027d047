/** Metadata keys rel4lint writes on the resources of CDK source templates, read by the engine without loading TypeScript. */

/**
 * The metadata keys of the resources a construct class of the app makes through the CDK construct
 * it extends (`class NightlyTask extends ScheduledFargateTask`), naming the class
 * (`<file>#<offset>`): `BASE_OF` on an instance made by a `new`, `ROOT_BASE_OF` on the one its
 * own file runs with unknown props when nothing in that file instantiates the class.
 */
export const BASE_OF = 'rel4lint:base-of';
export const ROOT_BASE_OF = 'rel4lint:root-base-of';

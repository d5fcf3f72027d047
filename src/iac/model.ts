/**
 * The IaC resource model: every template format loads into this shape. Rules are written once
 * against it. (Contract; loaders live in ./loaders.)
 */
import type { Range } from '../ground/types.js';

export type PathSegment = string | number;

/** Template formats the model can come from (`cdk-source`: constructs read from CDK app code, without a synth). */
export type TemplateFormat = 'cloudformation' | 'sam' | 'cdk' | 'cdk-source' | 'serverless' | 'terraform' | 'asl';

/**
 * A CloudFormation intrinsic function (`!Ref`, `Fn::GetAtt`, `!Sub`, ...) kept as a typed value
 * so that rules can follow references. `name` is the long form: 'Ref', 'Fn::GetAtt', 'Fn::Sub', ...
 * For `Fn::GetAtt` the argument is normalised to `[logicalId, attribute]` whatever the input form.
 */
export class Intrinsic {
  constructor(
    readonly name: string,
    readonly argument: IacValue,
  ) {}
}

/** A value whose content cannot be known statically (parameters, `${...}` variables, Terraform vars). */
export class Unknown {
  constructor(readonly description: string) {}
}

/**
 * The description of an unknown value that is the text of a local file, `${file(path)}` as the
 * Serverless Framework writes it (a CDK app's `readFileSync(path)` is described the same way): a
 * state machine definition can be read from that file.
 */
export function fileText(file: string): string {
  return `\${file(${file})}`;
}

/** The path of a `fileText` value. */
export function fileTextPath(value: unknown): string | undefined {
  if (!(value instanceof Unknown)) return undefined;
  const m = /^\$\{file\(\s*([^)\s]+)\s*\)\}$/.exec(value.description.trim());
  return m ? m[1] : undefined;
}

export type IacValue =
  | string
  | number
  | boolean
  | null
  | IacValue[]
  | { [key: string]: IacValue }
  | Intrinsic
  | Unknown;

export interface Resource {
  /** Logical id. */
  id: string;
  /** CloudFormation type name, e.g. 'AWS::SQS::Queue' (SAM types kept as 'AWS::Serverless::Function'). */
  type: string;
  properties: { [key: string]: IacValue };
  metadata?: { [key: string]: IacValue };
  /** Path of the resource in the template, normally ['Resources', id]. */
  path: PathSegment[];
}

export interface ParseProblem {
  message: string;
  /** 0-based offset in the text. */
  offset: number;
}

export interface Template {
  /** Absolute file path. */
  file: string;
  text: string;
  format: TemplateFormat;
  /** The document as plain values (intrinsics typed, SAM Globals merged). */
  root: { [key: string]: IacValue };
  resources: Map<string, Resource>;
  /**
   * Range of the node at `path`; when the path does not exist, the nearest existing ancestor's key.
   * `file` is set when the node is in another file than the template's (see `otherTexts`).
   */
  locate(path: PathSegment[]): { range: Range; start: number; end: number; exact: boolean; file?: string };
  /**
   * The texts of the other files some of its values are located in, by absolute path: a CDK app
   * file whose constructs include those a construct class of another file of the app makes.
   */
  otherTexts?: ReadonlyMap<string, string>;
}

export type PlainObject = { [key: string]: IacValue };

/** Metadata key of the folder a Terraform Lambda module packages (`source_path`), relative to the `.tf` file's folder. */
export const TERRAFORM_SOURCE_PATH = 'terraform:source_path';

/** A mapping of the document: not an array, an intrinsic or an unknown value. */
export function isPlainObject(value: IacValue | undefined): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Intrinsic) && !(value instanceof Unknown);
}

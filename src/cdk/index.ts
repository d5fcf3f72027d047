/**
 * CDK apps as IaC without a synth: the constructs a TypeScript/JavaScript file defines become a
 * template in the resource model (CloudFormation type names and property shapes), whose
 * `locate(path)` points at the TypeScript: the construct call for a resource (`new sqs.Queue`
 * for a property it lacks), the property assignment for a property. The IaC rules then run on
 * it unchanged.
 *
 * This folder sits on both analysis layers: it reads TypeScript (`../code`) and builds the
 * resource model (`../iac`), which never imports it.
 */
import type { ts } from '../code/ts.js';
import type { ModuleHost } from '../code/file-facts.js';
import type { Template } from '../iac/model.js';
import { Interpreter } from './interpreter.js';
import { Library } from './library.js';
import { Resources } from './resources.js';
import { mayDefineCdkResources, mayMakeResources } from './sniff.js';

export { mayDefineCdkResources };


/**
 * The template of the constructs a parsed code file defines, or undefined when it defines none
 * (or does not import `aws-cdk-lib`, or names no class that makes a resource: see
 * `mayMakeResources`). Parent pointers are not needed. Never runs the app.
 *
 * With a module host, the construct classes the file imports from other files of the app run
 * with the props the file passes (their constructs are in this template, located in their own
 * file: see `Template.otherTexts`).
 */
export function loadCdkSource(sourceFile: ts.SourceFile, host?: ModuleHost): Template | undefined {
  if (!mayDefineCdkResources(sourceFile.text) || !mayMakeResources(sourceFile.text)) return undefined;
  const resources = new Resources(sourceFile);
  const library = new Library(sourceFile, resources);
  const interpreter = new Interpreter(sourceFile, library, host);
  library.interp = interpreter;
  interpreter.run();
  if (resources.list.length === 0) return undefined;
  resources.assignIds();
  return resources.template(sourceFile.fileName, sourceFile.text);
}

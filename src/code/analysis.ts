/**
 * What every code rule reads about a file: the facts of one walk (`./file-facts.ts`) and what is
 * derived from them on first use, once per file (AWS SDK calls, handler contexts).
 */
import { FileFacts } from './file-facts.js';
import { sdkCallsOf, type SdkCall } from './aws-sdk.js';
import { contextsOf, type HandlerContexts } from './handler-context.js';

export class FileAnalysis extends FileFacts {
  get sdkCalls(): SdkCall[] {
    return sdkCallsOf(this);
  }

  get contexts(): HandlerContexts {
    return contextsOf(this);
  }
}

import type { CodeReport, CodeDetector } from '../rule.js';
import { findFanOuts } from './fan-out.js';

export interface NoUnboundedFanOutOptions {
  maxLiteralItems: number;
}

const detector: CodeDetector<NoUnboundedFanOutOptions> = {
  // every finding is a Promise.all/allSettled/any/race or forEach call written out in the file, or
  // a call of p-map, bluebird or async
  prefilter: /Promise\s*\.\s*(?:all|any|race)|\.\s*forEach\b|['"](?:p-map|bluebird|async|neo-async)(?:\/\w+)?['"]/,
  code({ analysis, options }): CodeReport[] {
    return findFanOuts(analysis, options.maxLiteralItems ?? 10);
  },
};

export default detector;

/** The TypeScript bundle inside ts-morph's common package has ts-morph's `ts` types. */
declare module '@ts-morph/common/dist/typescript.js' {
  import { ts } from 'ts-morph';
  export = ts;
}

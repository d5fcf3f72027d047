/**
 * How much of a file the readers take on: past these counts a file is not read, and a
 * parse-error finding says why. Each keeps the memory of one file's analysis under a gigabyte,
 * far above what real files need. The counts are made before any parser runs.
 */

/**
 * Tokens a code file may have. The TypeScript syntax tree takes about 150 bytes of memory per
 * token, so three and a half million keep a file's analysis under a gigabyte at its peak (about
 * 850 MB, measured on 3.4 million tokens of minified code and of one long property chain); real
 * code has about one token per four bytes, so only files of code built to be dense reach it
 * below the size limit.
 */
export const MAX_CODE_TOKENS = 3_500_000;

/**
 * Values (mappings, sequences, scalars) a YAML or JSON document may have. Reading takes a few
 * hundred bytes of memory per value, so half a million keep a document well under a gigabyte,
 * while the largest template CloudFormation accepts (1 MB) has about a tenth of that; a file of
 * `[1,1,1,...]` under the size limit has millions.
 */
export const MAX_DOCUMENT_VALUES = 500_000;

/**
 * Values a Terraform file may have (counted as for documents). The HCL parser's tree lives in
 * WebAssembly memory, which never shrinks, and each resource takes some kilobytes once read: a
 * hundred thousand keep a file well under a gigabyte, and are several times what the largest
 * real modules have.
 */
export const MAX_TERRAFORM_VALUES = 100_000;

/** Retries in tests and mocks wait for test conditions or fake dependencies, not for a recovering service. */
export function isTestFile(fileName: string): boolean {
  return /(?:^|[\\/])(?:__tests__|__mocks__)[\\/]|\.(?:test|spec)\.[cm]?[jt]sx?$/.test(fileName);
}

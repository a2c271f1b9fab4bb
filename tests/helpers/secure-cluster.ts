/** The secured test cluster the global setup starts, and a check on one-line CLI errors. */

export interface SecuredCluster {
  url: string;
  user: string;
  password: string;
  ca: string;
}

export function secured(): SecuredCluster {
  const url = process.env.VIGIL_TEST_SECURE_URL;
  const user = process.env.VIGIL_TEST_SECURE_USER;
  const password = process.env.VIGIL_TEST_SECURE_PASSWORD;
  const ca = process.env.VIGIL_TEST_SECURE_CA;
  if (!url || !user || !password || !ca) {
    throw new Error(
      'the secured test cluster is not running: run the integration tests without VIGIL_TEST_NO_SECURE=1',
    );
  }
  return { url, user, password, ca };
}

/** stderr is exactly one line matching `pattern`, and no stack trace. */
export function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\s+at \S+ \(/);
}

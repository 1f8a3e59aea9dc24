/** The warning printed (to stderr) when a dev data directory was just created. */
export function devKeyWarning(devKeyPath: string): string {
  const bar = "!".repeat(78);
  return [
    "",
    bar,
    "!!  DEV-ONLY KEY",
    `!!  ${devKeyPath}`,
    "!!  was just created. It holds EVERY role on this dev chain (funded account,",
    "!!  operator, validator governance) and its secret sits unencrypted on disk.",
    "!!  NEVER use this key or this data directory in production.",
    bar,
    "",
  ].join("\n");
}

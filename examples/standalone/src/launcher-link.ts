/**
 * When started by start.ts, a service has an IPC channel to the launcher. It closes when the launcher
 * dies for any reason, SIGKILL included; the service then stops itself gracefully (pico-boot's SIGTERM
 * handling), so no orphan keeps its port. Run by hand (no channel), this does nothing.
 */
export function stopWithLauncher(): void {
  if (!process.send) return;
  process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
}

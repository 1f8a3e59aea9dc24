import { SingleBar } from "cli-progress";
import type { SyncProgress } from "../net/sync.js";

/**
 * Draws range-sync progress on a terminal (stderr): blocks imported of the blocks to go, and
 * the time left. Nothing when stderr is not a terminal: logs say it there.
 */
export function syncProgressBar(stream: NodeJS.WriteStream = process.stderr): ((p: SyncProgress) => void) | undefined {
  if (stream.isTTY !== true) return undefined;
  let bar: SingleBar | undefined;
  return (p) => {
    if (p.syncing) {
      if (bar === undefined) {
        bar = new SingleBar({
          stream,
          format: "syncing |{bar}| {percentage}% | height {height} of {target} | eta {eta_formatted}",
          hideCursor: true,
          etaBuffer: 256,
        });
        bar.start(Math.max(1, p.target - p.startHeight), 0, { height: p.height, target: p.target });
      }
      bar.setTotal(Math.max(1, p.target - p.startHeight));
      bar.update(p.height - p.startHeight, { height: p.height, target: p.target });
    } else if (bar !== undefined) {
      bar.update(p.height - p.startHeight, { height: p.height, target: p.target });
      bar.stop();
      bar = undefined;
    }
  };
}

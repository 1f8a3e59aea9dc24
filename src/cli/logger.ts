import { pino, type Logger } from "pino";

let root: Logger | undefined;

/**
 * The one root logger of the process: pretty lines through pino-pretty when stdout is a
 * terminal, JSON lines otherwise (for journald, Docker, log shippers). Components log
 * through `rootLogger().child({ module })`. The first call sets the level.
 */
export function rootLogger(level = "info"): Logger {
  root ??= process.stdout.isTTY
    ? pino({
        level,
        transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } },
      })
    : pino({ level });
  return root;
}

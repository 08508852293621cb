// What the Node load generators (connect.mjs, latency.mjs) share: their options, the loopback and time bounds,
// the server's CPU from /proc, closing their sockets, and the load generator's output format.
import { readFileSync } from "node:fs";

// The options given as --name value pairs over the defaults (numbers but for url); exits 2 on an unknown one or on
// a url off the loopback. Also arms the 10-minute bound of the whole run.
export function parseOptions(defaults) {
  const options = { ...defaults };
  for (let i = 2; i < process.argv.length; i += 2) {
    const name = process.argv[i].replace(/^--/, "");
    if (!(name in options) || i + 1 >= process.argv.length) {
      console.error(`unknown option or missing value: ${process.argv[i]}`);
      process.exit(2);
    }
    options[name] = name === "url" ? process.argv[i + 1] : Number(process.argv[i + 1]);
  }
  const target = new URL(options.url);
  if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
    console.error(`loopback only: ${options.url}`);
    process.exit(2);
  }
  setTimeout(() => {
    console.error("the run took over 10 minutes");
    process.exit(1);
  }, 600_000).unref();
  return { ...options, socketUrl: `ws://${target.host}/socket.io/?EIO=4&transport=websocket` };
}

// Closes the sockets, waiting for each close at most 5 s.
export async function closeAll(sockets) {
  await Promise.all(sockets.map((socket) => new Promise((resolve) => {
    socket.once("close", resolve);
    socket.close();
    setTimeout(resolve, 5_000).unref();
  })));
}

// The server's CPU seconds so far (user + system), from /proc: 0 when no pid is given.
export function serverCpu(pid) {
  if (!pid) {
    return 0;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;   // utime, stime in clock ticks (USER_HZ = 100)
}

export const round = (x) => Math.round(x * 1000) / 1000;

// Prints the run as the JVM load generator does: one JSON line, then a one-line summary; exits 0.
export function report(out) {
  console.log(JSON.stringify(out));
  console.log(`${out.scenario}: ` + Object.entries(out).filter(([k]) => k !== "scenario").map(([k, v]) => `${k}=${v}`)
    .join(" "));
  process.exit(0);
}

/**
 * Start-up phases, timed one after another, for the `ready` log line: wall-clock milliseconds, and the CPU time this
 * process spent in each (on a busy machine the wall clock also counts waiting for a core; the CPU time does not).
 * The first phase (`import`) is measured from the process's own start, so it includes Node's boot and loading the
 * program's modules.
 */
export interface PhaseTimer {
  /** Ends the phase under way under this name and starts the next one. */
  mark(name: string): void;
  /** Wall-clock and CPU milliseconds per phase, in the order they ran, and in total since the process started. */
  summary(): { ms: number; cpuMs: number; phases: Record<string, number>; cpuPhases: Record<string, number> };
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export function phaseTimer(firstPhase = 'import'): PhaseTimer {
  const phases: Record<string, number> = {};
  const cpuPhases: Record<string, number> = {};
  let wall = 0;
  let cpu = 0;
  const mark = (name: string) => {
    const [w, c] = [performance.now(), cpuNow()];
    phases[name] = Math.round((phases[name] ?? 0) + w - wall);
    cpuPhases[name] = Math.round((cpuPhases[name] ?? 0) + c - cpu);
    [wall, cpu] = [w, c];
  };
  mark(firstPhase);
  return { mark, summary: () => ({ ms: Math.round(performance.now()), cpuMs: Math.round(cpuNow()), phases: { ...phases }, cpuPhases: { ...cpuPhases } }) };
}

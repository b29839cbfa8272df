// GET /cpu: the server process's CPU time so far, in microseconds, for CPU per request.
export function GET() {
  const { user, system } = process.cpuUsage();
  return Response.json({ micros: user + system });
}

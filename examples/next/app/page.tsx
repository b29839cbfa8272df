// The home page: what the example's routes do.
export default function Home() {
  return (
    <main>
      <h1>hexarch-guardrails + Next.js</h1>
      <ul>
        <li>
          <code>GET /users</code>: 100 requests per minute
        </li>
        <li>
          <code>DELETE /users/:id</code>: needs confirmation (428, then repeat with <code>Hexarch-Confirm</code>)
        </li>
        <li>
          <code>POST /chat {"{prompt}"}</code>: a monthly budget of $10, warning from 80%
        </li>
      </ul>
    </main>
  );
}

// The response both bench routes send.
export function items() {
  return Response.json({ items: [1, 2, 3] });
}

// The example's data: a few users in memory, shared by the route modules of one server process.
export interface User {
  readonly id: string;
  readonly name: string;
}

export const users = new Map<string, User>([
  ["1", { id: "1", name: "Ada" }],
  ["2", { id: "2", name: "Grace" }],
  ["3", { id: "3", name: "Linus" }],
]);

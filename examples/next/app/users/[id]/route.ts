// DELETE /users/:id needs confirmation: 428 with a token, then the same request with Hexarch-Confirm.
import { withHexarch } from "hexarch-guardrails/next";
import { users } from "../../../lib/users.js";

export const DELETE = withHexarch(
  async (_request, { params }: { params: Promise<{ id: string }> }) => {
    const { id } = await params;
    const existed = users.delete(id);
    return Response.json({ deleted: existed ? id : null }, { status: existed ? 200 : 404 });
  },
  { policy: "safe_delete" },
);

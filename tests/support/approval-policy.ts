// The policy file the approval tests and bench share: every delete waits for a person (policy prod_delete).

/** Policy text with one policy, `prod_delete`: `require_approval` for every delete. */
export const APPROVE_DELETES = `
policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
`;

/** Where the approval pages of APPROVE_DELETES_WITH_PAGES are. */
export const APPROVAL_BASE_URL = "https://guard.example.com";

/** APPROVE_DELETES with `approvals.base_url`, so every request has a page (`<base>/approvals/<id>`). */
export const APPROVE_DELETES_WITH_PAGES = `
approvals:
  base_url: "${APPROVAL_BASE_URL}"
${APPROVE_DELETES}`;

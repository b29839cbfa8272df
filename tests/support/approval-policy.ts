// The policy file the approval tests and bench share: every delete waits for a person (policy prod_delete).

/** Policy text with one policy, `prod_delete`: `require_approval` for every delete. */
export const APPROVE_DELETES = `
policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
`;

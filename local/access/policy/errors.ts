/**
 * The one error the policy engine throws: a document that RAM's grammar check would refuse.
 * The engine knows nothing of RAM's wire errors; the caller maps this to its own code
 * (RAM: `MalformedPolicyDocument`, STS: `InvalidParameter.PolicyGrammar`).
 */
export class PolicyGrammarError extends Error {
  override readonly name = 'PolicyGrammarError';

  /**
   * @param reason what is wrong, in words a policy author can act on
   * @param path where: a JSON path such as `Statement[0].Condition.DateLessThan`
   */
  constructor(readonly reason: string, readonly path: string) {
    super(path === '' ? reason : `${path}: ${reason}`);
  }
}

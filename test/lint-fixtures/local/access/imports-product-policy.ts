// Breaks: the local cloud judging with the product's own evaluator cannot catch its mistakes.
import { evaluate } from '../../shared/policy';

export const judged = evaluate;

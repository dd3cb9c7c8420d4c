/**
 * Wildcards: "An asterisk (*) matches zero or more characters ... A question mark (?) matches any single
 * character" (www.alibabacloud.com/help/en/ram/policy-structure-and-syntax); the docs give ':' and '/'
 * no special meaning, so '*' runs across them.
 */
import { wildcardMatch } from '../../../local/access/policy/wildcard';

describe('wildcardMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything:at/all', true],
    ['', '', true],
    ['', 'x', false],
    ['ecs:Describe*', 'ecs:DescribeInstances', true],
    ['ecs:Describe*', 'ecs:Describe', true],
    ['ecs:Describe*', 'ecs:StopInstance', false],
    ['ecs:Describe*', 'ecsx:DescribeInstances', false],
    ['*:Describe*', 'rds:DescribeDBInstances', true],
    ['acs:oss:*:*:mybucket/*', 'acs:oss:cn-hangzhou:123:mybucket/dir1/object1.jpg', true],
    ['acs:oss:*:*:mybucket/*', 'acs:oss:cn-hangzhou:123:mybucket', false],
    ['acs:oss:*:*:mybucket', 'acs:oss:cn-hangzhou:123:mybucket/x', false],
    ['acs:ram:*:1511928242963727:role/crossrole-*', 'acs:ram:*:1511928242963727:role/crossrole-g-1', true],
    ['acs:ram:*:1511928242963727:role/crossrole-*', 'acs:ram:*:1879324520397241:role/crossrole-g-1', false],
    ['acs:ecs:*', 'acs:ecs:cn-hangzhou:1:instance/i-1', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['a?c', 'a:c', true],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(60), false],
    ['**', 'x', true],
    ['x*', 'x', true],
    ['*x', 'yx', true],
    ['*x', 'xy', false],
  ])('%j against %j -> %s (exact case)', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value, false)).toBe(expected);
  });

  it.each([
    ['ECS:describe*', 'ecs:DescribeInstances', false, true],
    ['acs:ram:*:1:role/Admin', 'acs:ram:*:1:role/admin', false, true],
    ['a?C', 'abc', false, true],
  ])('%j against %j: exact %s, folded %s', (pattern, value, exact, folded) => {
    expect(wildcardMatch(pattern, value, false)).toBe(exact);
    expect(wildcardMatch(pattern, value, true)).toBe(folded);
  });
});

/**
 * The MNS XML wire format, in one place: request bodies in, response bodies and the `<Error>`
 * document out (@alicloud/mns 1.2.0 lib/client.js; www.alibabacloud.com/help/doc-detail/27501.html).
 * The SDK parses a body only when its Content-Type is text/xml and its root is the element it
 * expects, so every reply goes through here.
 */
import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { LocalResponse } from '../core/contract';
import { MnsError } from './errors';

const MNS_XMLNS = 'http://mns.aliyuncs.com/doc/v1/';
export const MNS_VERSION = '2015-06-06';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const CONTENT_TYPE = 'text/xml;charset=utf-8';

/** A flat XML element: leaf name → text, or nested elements (arrays for the repeated ones). */
export type XmlNode = { [name: string]: string | XmlNode | XmlNode[] | string[] };

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export const newRequestId = (): string => randomBytes(12).toString('hex').toUpperCase();

const parser = new XMLParser({
  ignoreAttributes: true,
  // Bodies are opaque strings: no number coercion, no trimming (the SDK sends them verbatim).
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (_name, jpath) => jpath === 'Messages.Message' || jpath === 'ReceiptHandles.ReceiptHandle',
});

/** Parse a request body; returns the root element's name and content. Not well-formed → MalformedXML. */
export function parseBody(body: Buffer): { root: string; node: XmlNode } {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new MnsError('MalformedXML', 'The XML you provided was not well-formed.');
  if (XMLValidator.validate(text) !== true) throw new MnsError('MalformedXML', 'The XML you provided was not well-formed.');
  const doc = parser.parse(text) as Record<string, unknown>;
  const root = Object.keys(doc).find((k) => k !== '?xml' && k !== '#text');
  if (root === undefined) throw new MnsError('MalformedXML', 'The XML you provided was not well-formed.');
  const node = doc[root];
  // `<Queue/>` parses to '' : an element without children.
  return { root, node: typeof node === 'object' && node !== null ? (node as XmlNode) : {} };
}

/** A leaf's text, or undefined when absent; a nested element where a leaf belongs is a schema error. */
export function leaf(node: XmlNode, name: string): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new MnsError('InvalidArgument', `The XML you provided did not validate against our published schema, cause by ${name}.`);
  return v;
}

/** Children of a repeated element (always an array thanks to the parser's isArray). */
export function children(node: XmlNode, name: string): unknown[] {
  const v = node[name];
  return Array.isArray(v) ? v : [];
}

type Fields = Array<[string, string | number | undefined]>;

function fieldsXml(fields: Fields): string {
  return fields
    .filter((f): f is [string, string | number] => f[1] !== undefined)
    .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
    .join('');
}

function xmlDoc(root: string, inner: string): string {
  return `${XML_DECL}<${root} xmlns="${MNS_XMLNS}">${inner}</${root}>`;
}

export function element(name: string, fields: Fields): string {
  return `<${name}>${fieldsXml(fields)}</${name}>`;
}

function commonHeaders(requestId: string): Record<string, string> {
  return { 'x-mns-request-id': requestId, 'x-mns-version': MNS_VERSION };
}

export function xmlResponse(status: number, requestId: string, root: string, inner: string, extraHeaders: Record<string, string> = {}): LocalResponse {
  return {
    status,
    headers: { ...commonHeaders(requestId), 'content-type': CONTENT_TYPE, ...extraHeaders },
    body: xmlDoc(root, inner),
  };
}

export function xmlFields(status: number, requestId: string, root: string, fields: Fields): LocalResponse {
  return xmlResponse(status, requestId, root, fieldsXml(fields));
}

export function emptyResponse(status: number, requestId: string, extraHeaders: Record<string, string> = {}): LocalResponse {
  return { status, headers: { ...commonHeaders(requestId), ...extraHeaders } };
}

export function errorResponse(err: MnsError, requestId: string, hostId: string): LocalResponse {
  return xmlFields(err.httpStatus, requestId, 'Error', [
    ['Code', err.code],
    ['Message', err.message],
    ['RequestId', requestId],
    ['HostId', hostId],
  ]);
}

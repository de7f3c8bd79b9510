/**
 * TypeBox schemas shared by several routes. Route-specific ones live in
 * their route file.
 */
import { Type } from 'typebox';

/** The body of every error answer: Fastify's shape, with a message that names the problem. */
export const ErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase' }),
    message: Type.String({ description: 'what is wrong, naming the field or limit' }),
  },
  { additionalProperties: false },
);

/** Error answers by status code, for a route's `response` schema. */
export function errorResponses<const Codes extends readonly number[]>(
  ...codes: Codes
): { [K in Codes[number]]: typeof ErrorSchema } {
  return Object.fromEntries(codes.map((code) => [code, ErrorSchema])) as {
    [K in Codes[number]]: typeof ErrorSchema;
  };
}

import { expect } from "vitest";

/** Asserts an RFC 9457 answer with `status` and returns its body. */
export async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = await response.json<Record<string, unknown>>();
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.instance).toEqual(expect.stringMatching(/^\//));
  expect(body.requestId).toBe(response.headers.get("x-request-id"));
  expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|\.ts:\d+/); // no stack trace
  return body;
}

// Pure parts of the search client: masking URLs and wording Elasticsearch's errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '@elastic/elasticsearch';
import { describeSearchError, maskSearchUrl } from '../../src/search/client.js';

function responseError(statusCode: number, body: unknown): errors.ResponseError {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} } as never);
}

describe('maskSearchUrl', () => {
  test('hides the password of a URL, with or without its scheme', () => {
    assert.equal(maskSearchUrl('https://elastic:hunter2@search.example:9243'), 'https://elastic:***@search.example:9243');
    assert.equal(maskSearchUrl('elastic:hunter2@search.example:9200'), 'elastic:***@search.example:9200');
    assert.equal(maskSearchUrl('http://127.0.0.1:9200'), 'http://127.0.0.1:9200');
  });
});

describe('describeSearchError', () => {
  test('gives the type and reason, then causes that add something', () => {
    const e = responseError(400, {
      error: {
        type: 'mapper_parsing_exception',
        reason: 'Failed to parse mapping [_doc]: No handler for type [nonsense] declared on field [name]',
        caused_by: { type: 'mapper_parsing_exception', reason: 'No handler for type [nonsense] declared on field [name]' },
      },
      status: 400,
    });
    assert.equal(describeSearchError(e), 'mapper_parsing_exception: Failed to parse mapping [_doc]: No handler for type [nonsense] declared on field [name]');
    const nested = responseError(400, {
      error: { type: 'illegal_argument_exception', reason: 'bad settings', caused_by: { type: 'number_format_exception', reason: 'For input string: "x"' } },
    });
    assert.equal(describeSearchError(nested), 'illegal_argument_exception: bad settings; caused by number_format_exception: For input string: "x"');
  });

  test('falls back to the status, or a plain error message', () => {
    assert.equal(describeSearchError(responseError(502, 'Bad Gateway')), 'HTTP 502');
    assert.equal(describeSearchError(responseError(404, { error: 'alias [x] missing', status: 404 })), 'alias [x] missing');
    assert.equal(describeSearchError(new Error('boom')), 'boom');
  });
});

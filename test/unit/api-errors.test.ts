import { describe, expect, it } from 'vitest'
import { createApiError } from '../../src/http/api-errors.js'
import { BadRequestError, NotFoundError, ServerError, ServiceUnavailableError } from '../../src/errors.js'

const CREATE = { method: 'POST', path: '/open/v1/tasks/create' }
const DETAIL = { method: 'POST', path: '/open/v1/tasks/detail' }
const LIST = { method: 'GET', path: '/open/v1/product/list' }
const TOKEN = { method: 'POST', path: '/api/rest/oss/getuploadtoken' }

describe('createApiError: the advice fits the call, not only the status', () => {
  it.each([
    [CREATE, 400, BadRequestError, /a parameter was refused — adjust the size or aspect ratio/],
    [DETAIL, 400, BadRequestError, /the task id was refused — check the task id$/],
    [LIST, 400, BadRequestError, /the request was refused — check the category and baseURL$/],
    [TOKEN, 400, BadRequestError, /the upload host refused the token request — check this machine's clock .* and uploadBaseURL; nothing was uploaded$/],
    [CREATE, 404, NotFoundError, /not found — check baseURL and the model id$/],
    [DETAIL, 404, NotFoundError, /not found — check the task id \(tasks live only on the account that created them\)$/],
    [LIST, 404, NotFoundError, /not found — check baseURL$/],
    [TOKEN, 404, NotFoundError, /not found — check uploadBaseURL; nothing was uploaded$/],
    [CREATE, 503, ServiceUnavailableError, /the model is temporarily unavailable — try again later or choose another model$/],
    [DETAIL, 503, ServiceUnavailableError, /the service is temporarily unavailable — try again later; the task is not lost/],
    [LIST, 503, ServiceUnavailableError, /the service is temporarily unavailable — try again later$/],
    [TOKEN, 503, ServiceUnavailableError, /the upload host is temporarily unavailable — try again later; nothing was uploaded$/],
    [CREATE, 500, ServerError, /the service failed — try again later; with a create, check whether the task exists first$/],
    [DETAIL, 500, ServerError, /the service failed — try again later; the task is not lost/],
    [LIST, 500, ServerError, /the service failed — try again later$/],
    [TOKEN, 502, ServerError, /the upload host failed — try again later; nothing was uploaded$/],
  ])('%o answered %i', (request, status, errorClass, words) => {
    const error = createApiError({ request, status })
    expect(error).toBeInstanceOf(errorClass)
    expect(error.message).toMatch(new RegExp(`^\\[${request.method} ${request.path.replaceAll('/', '\\/')}\\] ${status} `))
    expect(error.message).toMatch(words)
  })

  it('an envelope code names its own cause on any call', () => {
    expect(createApiError({ request: DETAIL, status: 200, code: 4008, envelope: true }).message).toMatch(/insufficient points/)
    expect(createApiError({ request: TOKEN, status: 200, code: 401, envelope: true }).message).toMatch(/API key is invalid or unauthorized — check IMA_API_KEY/)
  })
})

/** Errors that carry their HTTP meaning; one middleware turns them into a page or JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequest extends HttpError {
  constructor(message = 'The request is not valid.') {
    super(400, 'BadRequest', message);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = 'Authentication required.') {
    super(401, 'Unauthorized', message);
  }
}

export class Forbidden extends HttpError {
  constructor(message = 'You are not allowed to do that.') {
    super(403, 'Forbidden', message);
  }
}

export class NotFound extends HttpError {
  constructor(message = 'Not found.') {
    super(404, 'NotFound', message);
  }
}

export class Conflict extends HttpError {
  constructor(message = 'That already exists.') {
    super(409, 'Conflict', message);
  }
}

/**
 * What a unique constraint says when two changes raced past a check for the same row (two
 * confirmations of one address, say): the loser gets 409 and this sentence instead of a 500.
 */
export const RACED = 'Someone else made the same change at the same moment. Reload the page and try again.';

/** A rule of the domain was broken (422): the input is well-formed but not acceptable. */
export class Invalid extends HttpError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(422, 'UnprocessableEntity', message);
  }
}

/** The name of a status in API error bodies: {"Status":"NotFound","Message":"..."}. */
export const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

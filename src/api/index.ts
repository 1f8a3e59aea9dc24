export { startApiServer, type ApiServer, type ApiDeps } from "./server.js";
export { defaultApiOptions, MAX_BATCH_TXS, type ApiOptions } from "./options.js";
export { ApiErrorCode, httpStatusOf, HTTP_STATUS_OF_CODE } from "./apiErrors.js";

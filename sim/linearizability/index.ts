// Linearizability checker for key/value client histories (see README.md).
export { checkHistory, type LinResult, type CheckOptions } from './checker';
export { parseHistory, validateOperation, fromSimulator, malformedReply, HistoryError, type Operation, type LinOpKind } from './history';
export { step as modelStep, describeOperation, type State } from './model';
export { readHistory, REGISTER_KEY, type History, type HistoryFormat } from './formats';
export { linReport, type LinReport, type LinKeyView, type LinOperationView, type ReportOptions } from './report';
export { generateHistory, generateAppendKv, generateRegister, type GenerateOptions, type AppendKvOptions, type RegisterOptions } from './generate';

// dist/languageServer.js: the .raftsim language server for the desktop (Node, over IPC from the client).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));

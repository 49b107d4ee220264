// dist/debugAdapter.js: the LifeRaft debug adapter on stdin/stdout (`node dist/debugAdapter.js`).
import { startStdioSession } from './cmd-dap';

startStdioSession();

// The ES module entry: the same functions as the CommonJS one (index.js).
import fifowin from "./index.js";

export const { startFifowin, findBinary } = fifowin;
export default fifowin;

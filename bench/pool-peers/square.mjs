// Worker module for piscina and tinypool: the tiny task of bench/pool.ts.
export default function square(x) { return x * x }

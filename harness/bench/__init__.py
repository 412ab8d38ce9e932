"""`tandem bench`: `engine` (tandem's engine against onnxruntime-genai, llama.cpp and optimum, each
in a child process run by `engine_runner`; the optimum peer's model from `optimum`) and `worker`
(the pool's transport and crypto cost through a real Mosquitto)."""

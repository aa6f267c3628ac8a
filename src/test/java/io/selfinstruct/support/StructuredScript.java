package io.selfinstruct.support;

import io.selfinstruct.support.ScriptedLlmServer.Answer;

/** A script that can also answer a request with a response_format: a JSON object of the named schema. */
public interface StructuredScript {

    Answer structured(String prompt, String schemaName);
}

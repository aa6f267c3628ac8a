package io.selfinstruct.serve;

import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.sampling.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The fields of an OpenAI chat or text completion request that the service honours, read from the JSON body and
 * checked (a bad one is a 400 naming the parameter). Fields it does not know are ignored, as vLLM ignores them.
 */
record CompletionRequest(
        String model,
        List<ChatTemplate.Message> messages,
        String prompt,
        Integer maxTokens,
        double temperature,
        double topP,
        double presencePenalty,
        double frequencyPenalty,
        int n,
        List<String> stop,
        Long seed,
        boolean stream,
        boolean includeUsage,
        Integer topLogprobs) {

    static final int MAX_N = 16;
    static final int MAX_TOP_LOGPROBS = 20;
    static final int MAX_STOP = 4;

    static CompletionRequest chat(JsonNode body) {
        JsonNode messages = object(body).path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must be a non-empty list");
        }
        List<ChatTemplate.Message> read = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").isString() ? message.path("role").asString() : null;
            if (role == null || role.isBlank()) {
                throw OpenAiException.invalid("messages[" + i + "].role", "messages[" + i + "].role is required");
            }
            read.add(new ChatTemplate.Message(role, content(message.path("content"), "messages[" + i + "].content")));
        }
        JsonNode max = body.has("max_completion_tokens") ? body.path("max_completion_tokens") : body.path("max_tokens");
        return common(body, read, null, max, chatLogprobs(body));
    }

    static CompletionRequest text(JsonNode body) {
        JsonNode prompt = object(body).path("prompt");
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isString()) {
            prompt = prompt.get(0);
        }
        if (!prompt.isString()) {
            throw OpenAiException.invalid("prompt", "prompt must be a string (one prompt per request)");
        }
        JsonNode logprobs = body.path("logprobs");
        Integer top = null;
        if (!logprobs.isMissingNode() && !logprobs.isNull()) {
            top = integer(logprobs, "logprobs");
            if (top < 0 || top > 5) {
                throw OpenAiException.invalid("logprobs", "logprobs must be between 0 and 5");
            }
        }
        return common(body, null, prompt.asString(), body.path("max_tokens"), top);
    }

    /**
     * Chat's {@code logprobs} (a boolean) and {@code top_logprobs} (0 to 20, only with logprobs true, as OpenAI
     * answers): null for none, else how many of the most likely tokens to report at each step.
     */
    private static Integer chatLogprobs(JsonNode body) {
        JsonNode logprobs = body.path("logprobs");
        if (!logprobs.isMissingNode() && !logprobs.isNull() && !logprobs.isBoolean()) {
            throw OpenAiException.invalid("logprobs", "logprobs must be a boolean");
        }
        boolean on = logprobs.asBoolean(false);
        JsonNode top = body.path("top_logprobs");
        if (top.isMissingNode() || top.isNull()) {
            return on ? 0 : null;
        }
        int count = integer(top, "top_logprobs");
        if (!on) {
            throw OpenAiException.invalid("top_logprobs", "top_logprobs may only be set when logprobs is true");
        }
        if (count < 0 || count > MAX_TOP_LOGPROBS) {
            throw OpenAiException.invalid("top_logprobs", "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS);
        }
        return count;
    }

    /** Options for choice {@code index}: its seed is {@code seed + index}, so the n choices of a seeded request differ. */
    GenerationOptions options(int maxNewTokens, int index, Set<Long> eosTokenIds) {
        // top_p 0 keeps only the most likely token, as OpenAI reads it (self-instruct's step 2 sends it): greedy
        boolean top = topP == 0;
        return GenerationOptions.builder(maxNewTokens)
                .temperature(top ? 0 : temperature)
                .topP(top ? 1 : topP)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .stopStrings(stop)
                .eosTokenIds(eosTokenIds)
                .seed(seed == null ? null : seed + index)
                .topLogprobs(topLogprobs)
                .build();
    }

    private static CompletionRequest common(
            JsonNode body, List<ChatTemplate.Message> messages, String prompt, JsonNode max, Integer topLogprobs) {
        String model = body.path("model").isString() ? body.path("model").asString() : null;
        if (model == null || model.isBlank()) {
            throw OpenAiException.invalid("model", "model is required");
        }
        Integer maxTokens = max.isMissingNode() || max.isNull() ? null : integer(max, "max_tokens");
        double temperature = number(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) {
            throw OpenAiException.invalid("temperature", "temperature must be between 0 and 2");
        }
        double topP = number(body, "top_p", 1.0);
        if (!(topP >= 0 && topP <= 1)) {
            throw OpenAiException.invalid("top_p", "top_p must be between 0 and 1");
        }
        double presencePenalty = penalty(body, "presence_penalty");
        double frequencyPenalty = penalty(body, "frequency_penalty");
        int n = body.has("n") && !body.path("n").isNull() ? integer(body.path("n"), "n") : 1;
        if (n < 1 || n > MAX_N) {
            throw OpenAiException.invalid("n", "n must be between 1 and " + MAX_N);
        }
        List<String> stop = new ArrayList<>();
        JsonNode stops = body.path("stop");
        if (stops.isString()) {
            stop.add(stops.asString());
        } else if (stops.isArray()) {
            for (JsonNode s : stops) {
                if (!s.isString()) {
                    throw OpenAiException.invalid("stop", "stop must be a string or a list of strings");
                }
                stop.add(s.asString());
            }
        } else if (!stops.isMissingNode() && !stops.isNull()) {
            throw OpenAiException.invalid("stop", "stop must be a string or a list of strings");
        }
        if (stop.size() > MAX_STOP || stop.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("stop", "at most " + MAX_STOP + " non-empty stop strings");
        }
        JsonNode seedNode = body.path("seed");
        Long seed = seedNode.isMissingNode() || seedNode.isNull() ? null : (long) integer(seedNode, "seed");
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new CompletionRequest(
                model,
                messages,
                prompt,
                maxTokens,
                temperature,
                topP,
                presencePenalty,
                frequencyPenalty,
                n,
                List.copyOf(stop),
                seed,
                stream,
                includeUsage,
                topLogprobs);
    }

    private static JsonNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "the request body must be a JSON object");
        }
        return body;
    }

    /** A message's content: a string, or a list of {@code {"type": "text", "text"}} parts joined. */
    private static String content(JsonNode content, String field) {
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asString(""))
                        || !part.path("text").isString()) {
                    throw OpenAiException.invalid(field, field + " may hold only text parts");
                }
                text.append(part.path("text").asString());
            }
            return text.toString();
        }
        if (content.isNull() || content.isMissingNode()) {
            return "";
        }
        throw OpenAiException.invalid(field, field + " must be a string or a list of text parts");
    }

    private static int integer(JsonNode node, String field) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw OpenAiException.invalid(field, field + " must be an integer");
        }
        return node.asInt();
    }

    /** OpenAI's presence or frequency penalty: -2 to 2, 0 when absent. */
    private static double penalty(JsonNode body, String field) {
        double value = number(body, field, 0);
        if (value < -2 || value > 2) {
            throw OpenAiException.invalid(field, field + " must be between -2 and 2");
        }
        return value;
    }

    private static double number(JsonNode body, String field, double fallback) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw OpenAiException.invalid(field, field + " must be a number");
        }
        return node.asDouble();
    }
}

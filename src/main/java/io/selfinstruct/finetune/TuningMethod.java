package io.selfinstruct.finetune;

/** LoRA adapters on chosen projections, or full tuning of the last N decoder layers with the rest frozen. */
public enum TuningMethod {
    LORA,
    FREEZE
}

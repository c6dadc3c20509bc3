/** Small utilities shared across the stack and its tools, each with one job. */
package io.sluice.core.util;

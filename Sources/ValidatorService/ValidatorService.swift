import LakehouseKit
public enum ValidatorServicePlaceholder {}
